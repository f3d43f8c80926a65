resource "aws_elasticache_serverless_cache" "api" {
  engine               = "redis"
  name                 = "api-cache"
  major_engine_version = "7"

  cache_usage_limits {
    data_storage {
      maximum = 10
      unit    = "GB"
    }
    ecpu_per_second {
      maximum = 5000
    }
  }

  security_group_ids = [aws_security_group.api.id]
  subnet_ids         = ["subnet-0a1b2c3d"]
}
