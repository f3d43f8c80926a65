locals {
  name = "session-service-${var.environment}"
}

resource "aws_elasticache_subnet_group" "sessions" {
  name       = "${local.name}-subnets"
  subnet_ids = var.private_subnet_ids
}

resource "aws_security_group" "sessions" {
  name   = "${local.name}-cache"
  vpc_id = var.vpc_id

  ingress {
    from_port       = 6379
    to_port         = 6379
    protocol        = "tcp"
    security_groups = [var.app_security_group_id]
  }
}

resource "aws_elasticache_parameter_group" "sessions" {
  name   = "${local.name}-params"
  family = "redis7"

  # Sessions carry a TTL; evict among those first, never the BullMQ queues (no TTL).
  parameter {
    name  = "maxmemory-policy"
    value = "volatile-lru"
  }

  # connect-redis cleans up nothing itself; expiry events feed the session metrics.
  parameter {
    name  = "notify-keyspace-events"
    value = "Ex"
  }

  # Evicting large session hashes blocked the event loop during the 2024 sale.
  parameter {
    name  = "lazyfree-lazy-eviction"
    value = "yes"
  }
}

resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = local.name
  description                = "Sessions, rate limits and BullMQ queues for session-service"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = "cache.r7g.large"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  parameter_group_name       = aws_elasticache_parameter_group.sessions.name
  subnet_group_name          = aws_elasticache_subnet_group.sessions.name
  security_group_ids         = [aws_security_group.sessions.id]
  port                       = 6379
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  snapshot_retention_limit   = 7
  snapshot_window            = "03:00-04:00"
  maintenance_window         = "sun:04:30-sun:05:30"
}
