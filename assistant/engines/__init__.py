"""Speech recogniser adapters, one file per engine, each importing its library lazily."""
