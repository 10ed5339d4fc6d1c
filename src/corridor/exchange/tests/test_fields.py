"""Fields the field uses (issue 11 §6), from files shaped like the field's, through the CLI.

A cluster 5W reports elderly women and men as age bands beside women and men of 18-59, people
with disabilities "of whom", and names village tract, village, donor and whether cash was
conditional (decisions 0165-0167). An ACLED export carries sub-event types (IEDs) and
geo_precision, 3 for events placed only within a larger part of a region (decision 0168).
"""

from __future__ import annotations

import csv
import io

from django.db import connection

from corridor.aid.models import Activity
from corridor.cli.main import main
from corridor.exchange.formats import xlsform
from corridor.exchange.services import file_import, xlsform_export
from corridor.exchange.tests.test_xlsform import paths
from corridor.situation.models import Incident

TITLE = "Food Security Cluster 5W - Chin - March 2024"
HEADERS = [
    "Organisation",
    "Sector",
    "Modality",
    "Cash conditionality",
    "State/Region",
    "Township",
    "ကျေးရွာအုပ်စု (Village tract)",
    "ကျေးရွာ (Village)",
    "Donor",
    "Reporting month",
    "Girls (<18)",
    "Boys (<18)",
    "Women (18-59)",
    "Men (18-59)",
    "Elderly women (60+)",
    "Elderly men (60+)",
    "Total reached",
    "Of whom persons with disabilities",
]
TAGS = [
    "#org",
    "#sector",
    "#modality",
    "#modality +conditionality",
    "#adm1 +name",
    "#adm3 +name",
    "#adm4 +name",
    "#loc +name",
    "#org +funder",
    "#date +reported",
    "#reached +f +children",
    "#reached +m +children",
    "#reached +f +adults",
    "#reached +m +adults",
    "#reached +f +elderly",
    "#reached +m +elderly",
    "#reached +total",
    "#reached +disabled",
]
BANDS = ["CRN", "Food security", "Cash transfer", "Unconditional", "Chin", "Hakha"]
ROWS = [
    # Age bands: the total adds the elderly to women and men of 18-59.
    [*BANDS, "Kyauk Tan", "Ywar Thit", "ECHO", "2024-03", 10, 12, 30, 25, 8, 6, 91, 4],
    # "Of whom": this total is the sum without the elderly; they are inside women and men.
    [
        "CRN",
        "Health",
        "Service",
        "",
        "Chin",
        "Hakha",
        "",
        "",
        "",
        "2024-03",
        5,
        5,
        20,
        20,
        3,
        2,
        50,
        "",
    ],
    # Nothing said of elderly or disability: not reported, not zero.
    [
        "CRN",
        "WASH",
        "In-kind",
        "",
        "Chin",
        "Hakha",
        "",
        "",
        "MHF",
        "2024-03",
        0,
        0,
        10,
        0,
        "",
        "",
        10,
        "",
    ],
]


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([TITLE])
        writer.writerow(HEADERS)
        writer.writerow(TAGS)
        writer.writerows(rows)
    return path


def _by_sector():
    return {a.sector: a for a in Activity.objects.all()}


def test_cluster_5w_with_elderly_disability_village_and_donor(org, tmp_path, capsys):
    path = _write(tmp_path / "5w.csv", ROWS)

    assert main(["import", str(path), "--quiet"]) == 0
    assert "imported: 3 created" in capsys.readouterr().out

    rows = _by_sector()
    food, health, wash = rows["food_security"], rows["health"], rows["wash"]
    # Bands: women and men are 18 and over, the elderly "of whom"; the total is the file's.
    assert (food.women, food.men, food.girls, food.boys, food.unspecified) == (38, 31, 10, 12, 0)
    assert (food.elderly_women, food.elderly_men, food.disabled) == (8, 6, 4)
    assert food.people_reached == 91
    assert (food.modality, food.conditionality, food.donor) == ("cash", "unconditional", "ECHO")
    assert (food.village_tract, food.village) == ("Kyauk Tan", "Ywar Thit")
    # "Of whom": nobody counted twice.
    assert (health.women, health.men, health.elderly_women, health.elderly_men) == (20, 20, 3, 2)
    assert health.people_reached == 50
    assert health.disabled is None
    assert (wash.elderly_women, wash.elderly_men, wash.disabled) == (None, None, None)
    assert (wash.modality, wash.donor) == ("in_kind", "MHF")
    assert sum(a.people_reached for a in rows.values()) == 151
    # Encrypted at rest: the column holds ciphertext, not the village.
    with connection.cursor() as cursor:
        cursor.execute("SELECT village_tract, village FROM aid_activity")
        stored = [cell for row in cursor.fetchall() for cell in row if cell]
    assert len(stored) == 2
    assert all(cell.startswith("c1:") and "Kyauk" not in cell for cell in stored)


def test_internal_export_round_trips_and_sharing_leaves_out_the_protected(org, tmp_path, capsys):
    _write(tmp_path / "5w.csv", ROWS)
    assert main(["import", str(tmp_path / "5w.csv"), "--quiet"]) == 0
    before = {
        a.pk: (a.women, a.men, a.elderly_women, a.elderly_men, a.disabled, a.village)
        for a in Activity.objects.all()
    }
    internal = tmp_path / "internal.csv"
    assert main(["export", "hxl", "--kind", "activities", "--internal", "-o", str(internal)]) == 0
    text = internal.read_text(encoding="utf-8")
    assert "#adm4+name" in text
    assert "Kyauk Tan" in text
    assert "ECHO" in text
    capsys.readouterr()

    assert main(["import", str(internal), "--quiet"]) == 0
    assert "0 created, 0 changed, 0 removed, 3 unchanged" in capsys.readouterr().out
    after = {
        a.pk: (a.women, a.men, a.elderly_women, a.elderly_men, a.disabled, a.village)
        for a in Activity.objects.all()
    }
    assert after == before

    shared = tmp_path / "shared.csv"
    assert main(["export", "hxl", "--kind", "activities", "-o", str(shared)]) == 0
    table = list(csv.reader(io.StringIO(shared.read_text(encoding="utf-8"))))
    tags = table[2]
    for secret in ("Kyauk Tan", "Ywar Thit", "ECHO", "MHF", "#adm4", "#loc", "#org+funder"):
        assert secret not in shared.read_text(encoding="utf-8"), secret
    rows = {r[tags.index("#sector")]: r for r in table[3:]}
    elderly_w = tags.index("#reached+f+elderly")
    disabled = tags.index("#reached+disabled")
    # 8 of 38 women: both parts at least k, shown; 4 disabled of 91: small, hidden.
    assert rows["food_security"][elderly_w] == "8"
    assert rows["food_security"][disabled] == "•"
    # 3 elderly women of 20: hidden; not reported stays empty, never 0.
    assert rows["health"][elderly_w] == "•"
    assert rows["wash"][elderly_w] == ""
    assert rows["wash"][disabled] == ""


def test_of_whom_larger_than_its_whole_is_refused_naming_the_cell(org, tmp_path, capsys):
    bad = [
        [
            "CRN",
            "Health",
            "Service",
            "",
            "Chin",
            "Hakha",
            "",
            "",
            "",
            "2024-03",
            5,
            5,
            20,
            20,
            "",
            "",
            "",
            70,
        ],
        [
            "CRN",
            "WASH",
            "In-kind",
            "Conditional",
            "Chin",
            "Hakha",
            "",
            "",
            "",
            "2024-03",
            1,
            1,
            1,
            1,
            "",
            "",
            "",
            "",
        ],
    ]
    path = _write(tmp_path / "bad-5w.csv", bad)

    assert main(["import", str(path), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert (
        "bad-5w.csv, row 4, column #reached+disabled (Of whom persons with disabilities): "
        "70 is more than the 50 people reached they are part of" in out
    )
    assert (
        "row 5, column #modality+conditionality (Cash conditionality): conditional or "
        "unconditional is said of cash and vouchers only" in out
    )
    assert not Activity.objects.exists()


ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,actor2,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,"
    "source,notes,fatalities\r\n"
)
ACLED_ROWS = (
    # A landmine, the town known: its township, its point.
    "MMR70001,05 March 2024,2024,1,Political violence,Explosions/Remote violence,"
    "Remote explosive/landmine/IED,Unidentified Armed Group (Myanmar),Civilians (Myanmar),"
    "Myanmar,Chin,Hakha,Hakha,Hakha,22.6455,93.6050,1,Chinland Post,"
    "A farmer stepped on a landmine.,1\r\n",
    # An IED only known to be somewhere in Sagaing: the region, no township, no point.
    "MMR70002,06 March 2024,2024,1,Political violence,Explosions/Remote violence,"
    "Remote explosive/landmine/IED,PDF: People's Defense Force,Military Forces of Myanmar (2021-),"
    "Myanmar,Sagaing,Sagaing,Sagaing,Sagaing,21.8787,95.9797,3,Myanmar Now,"
    "An IED hit a convoy in Sagaing region.,2\r\n",
    # An abduction near a town.
    "MMR70003,07 March 2024,2024,1,Political violence,Violence against civilians,"
    "Abduction/forced disappearance,Military Forces of Myanmar (2021-),Civilians (Myanmar),"
    "Myanmar,Sagaing,Kale,Kale,Kale,23.19,94.05,2,RFA,Two villagers taken.,0\r\n",
)


def test_acled_sub_event_types_and_geo_precision(places, tmp_path, capsys):
    path = tmp_path / "acled-2024.csv"
    path.write_text(ACLED_HEADER + "".join(ACLED_ROWS), encoding="utf-8")

    assert main(["import", str(path), "--quiet"]) == 0
    assert "imported: 3 created" in capsys.readouterr().out

    mine = Incident.objects.get(description__startswith="A farmer")
    assert (mine.incident_type, mine.sub_event_type) == (
        "explosive_device",
        "Remote explosive/landmine/IED",
    )
    assert (mine.admin_unit_id, mine.geo_precision, mine.latitude) == ("MMR004002", 1, 22.6455)

    vague = Incident.objects.get(description__startswith="An IED")
    assert vague.incident_type == "explosive_device"
    assert vague.admin_unit.level == 1  # Sagaing Region, not a township
    assert vague.admin_unit.name_en.startswith("Sagaing")
    assert (vague.geo_precision, vague.latitude, vague.longitude) == (3, None, None)
    assert "only the state or region is known" in vague.description

    taken = Incident.objects.get(description__startswith="Two villagers")
    assert (taken.incident_type, taken.geo_precision) == ("abduction", 2)
    assert taken.admin_unit_id == "MMR005027"
    assert not Incident.objects.filter(incident_type="other").exists()

    # The internal export keeps them; reading it back changes nothing.
    out = tmp_path / "incidents.csv"
    assert main(["export", "hxl", "--kind", "incidents", "--internal", "-o", str(out)]) == 0
    assert "#event+type+sub" in out.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(out), "--quiet"]) == 0
    assert "0 created, 0 changed, 0 removed, 3 unchanged" in capsys.readouterr().out


def test_acled_geo_precision_out_of_range_names_the_cell(places, tmp_path, capsys):
    path = tmp_path / "acled-bad.csv"
    path.write_text(ACLED_HEADER + ACLED_ROWS[0].replace(",1,Chinland", ",4,Chinland"))

    assert main(["import", str(path), "--quiet"]) == 1
    assert (
        "acled-bad.csv, row 2, column geo_precision: a place precision is 1, 2 or 3"
        in capsys.readouterr().out
    )


def test_kobo_submissions_of_the_form_count_the_elderly_once(org, tmp_path):
    """The XLSForm asks the elderly "of whom" and carries its calculated total: the importer
    must not add them to women and men again."""
    data = xlsform_export(form="activity")
    names = paths(xlsform.xform(data))
    wanted = ["sector", "modality", "conditionality", "adm1_code", "adm3_code"]
    wanted += ["reporting_month", "women", "men", "girls", "boys", "unspecified", "total"]
    wanted += ["elderly_women", "elderly_men", "disabled", "donor", "village_tract", "village"]
    header = [names[n] for n in wanted] + ["_uuid"]
    values = ["food_security", "cash", "conditional", "MMR004", "MMR004002", "2024-03-01"]
    values += ["12", "9", "4", "3", "0", "28", "5", "2", "1", "ECHO", "Nat Gyi Kone", ""]
    path = tmp_path / "corridor_activity_-_all_versions.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        writer.writerow([*values, "6b8e0c1a-0000-4000-8000-000000000001"])

    result = file_import(by=None, path=path, organisation=org)

    assert (result.format, result.created, result.error_count) == ("kobo-csv", 1, 0)
    saved = Activity.objects.get()
    assert (saved.women, saved.men, saved.elderly_women, saved.elderly_men) == (12, 9, 5, 2)
    assert (saved.people_reached, saved.disabled, saved.conditionality) == (28, 1, "conditional")
    assert (saved.donor, saved.village_tract) == ("ECHO", "Nat Gyi Kone")
