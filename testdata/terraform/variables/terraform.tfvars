engine_version = "6.2"
