locals {
  name      = "${var.environment}-cache"
  is_prod   = var.environment == "production"
  family    = "redis${split(".", var.engine_version)[0]}${var.engine_version == "6.2" ? ".x" : ""}"
  node_type = lookup(var.node_types, var.environment, "cache.t4g.small")
  replicas  = local.is_prod ? 3 : 1
}

resource "aws_elasticache_parameter_group" "this" {
  name_prefix = "${local.name}-"
  family      = local.family

  parameter {
    name  = "maxmemory-policy"
    value = "volatile-lru"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = local.name
  description          = "Cache for ${var.environment}"
  engine               = var.engine
  engine_version       = var.engine_version
  node_type            = local.node_type
  num_cache_clusters   = local.replicas
  parameter_group_name = aws_elasticache_parameter_group.this.name
  security_group_ids   = [data.aws_security_group.cache.id]
  port                 = 6379
}

data "aws_security_group" "cache" {
  vpc_id = var.vpc_id
  name   = "cache"
}
