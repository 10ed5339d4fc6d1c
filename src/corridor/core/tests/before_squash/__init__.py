"""Each app's migrations as they stood before the squash (decision 0362), kept only as test data.

``migrations/<app>/`` holds the old files unchanged; ``run.py`` migrates a database with them
(or with today's migrations) in a process of its own, so ``test_migrations.py`` can compare the
schema an old instance has with the one a fresh database gets, and upgrade the old one.
"""
