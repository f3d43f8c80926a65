terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

variable "environment" {
  type    = string
  default = "staging"
}

locals {
  name = "session-service-${var.environment}"
}

resource "aws_elasticache_parameter_group" "sessions" {
  name   = "${local.name}-params"
  family = "redis7"

  parameter {
    name  = "maxmemory-policy"
    value = "volatile-lru"
  }

  parameter {
    name  = "notify-keyspace-events"
    value = "Ex"
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
  parameter_group_name       = aws_elasticache_parameter_group.sessions.name
  port                       = 6379
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  snapshot_retention_limit   = 7
}
