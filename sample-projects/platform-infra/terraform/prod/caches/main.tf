# Shared caches of the production platform. Each team's service gets its own cache; the
# platform team owns the Terraform.

# Sessions for the web shop (Rails and the Node BFF). Pinned since the 2024 rollout.
module "sessions_cache" {
  source  = "terraform-aws-modules/elasticache/aws"
  version = "1.2.0"

  replication_group_id = "prod-sessions"
  description          = "Web shop sessions"

  engine_version = "7.1"
  node_type      = "cache.r6g.large"

  num_cache_clusters         = 3
  automatic_failover_enabled = true
  multi_az_enabled           = true
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true

  vpc_id     = var.vpc_id
  subnet_ids = var.private_subnet_ids
  security_group_rules = {
    ingress_eks = {
      description                  = "EKS nodes"
      referenced_security_group_id = var.app_security_group_ids[0]
    }
  }

  create_parameter_group = true
  parameter_group_family = "redis7"
  parameters = [
    {
      name  = "maxmemory-policy"
      value = "volatile-ttl"
    },
    {
      name  = "lazyfree-lazy-user-del"
      value = "yes"
    },
  ]

  maintenance_window = "sun:03:00-sun:04:00"
  apply_immediately  = false
}

# Price and catalogue cache for pricing-api: cluster mode, three shards.
module "catalog_cache" {
  source  = "cloudposse/elasticache-redis/aws"
  version = "1.9.0"

  namespace = "acme"
  stage     = "prod"
  name      = "catalog"

  vpc_id                     = var.vpc_id
  subnets                    = var.private_subnet_ids
  allowed_security_group_ids = var.app_security_group_ids

  instance_type  = "cache.m6g.xlarge"
  engine_version = "7.1"
  family         = "redis7"

  cluster_mode_enabled                 = true
  cluster_mode_num_node_groups         = 3
  cluster_mode_replicas_per_node_group = 1
  automatic_failover_enabled           = true
  at_rest_encryption_enabled           = true
  transit_encryption_enabled           = true

  parameter = [
    {
      name  = "cluster-enabled"
      value = "yes"
    },
    {
      name  = "maxmemory-policy"
      value = "allkeys-lru"
    },
  ]
}

# Sidekiq queues for the notifications service: no eviction, ever.
resource "aws_elasticache_replication_group" "notifications" {
  replication_group_id       = "prod-notifications"
  description                = "Sidekiq queues (notifications)"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = "cache.t4g.medium"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  parameter_group_name       = "default.redis7"
  subnet_group_name          = module.sessions_cache.subnet_group_name
  security_group_ids         = var.app_security_group_ids
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
}
