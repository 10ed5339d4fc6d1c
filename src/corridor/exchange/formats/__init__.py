"""One module per exchange format; ``corridor.exchange.registry`` lists them."""
