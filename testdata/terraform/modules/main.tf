terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.73"
    }
  }
}

module "sessions" {
  source  = "terraform-aws-modules/elasticache/aws"
  version = "1.2.0"

  replication_group_id = "sessions"
  engine_version       = "7.1"
  node_type            = "cache.m7g.large"

  create_parameter_group = true
  parameter_group_family = "redis7"
  parameters = [
    {
      name  = "latency-tracking"
      value = "yes"
    },
    {
      name  = "lazyfree-lazy-user-del"
      value = "yes"
    }
  ]
}

module "queue" {
  source = "git::https://github.com/cloudposse/terraform-aws-elasticache-redis.git?ref=1.9.2"

  name           = "queue"
  engine_version = "7.0"
  family         = "redis7"
  instance_type  = "cache.r6g.xlarge"
  vpc_id         = "vpc-0123456789abcdef0"
  subnets        = ["subnet-0a1b2c3d"]
}

module "ledger" {
  source  = "terraform-aws-modules/memory-db/aws"
  version = "~> 2.0"

  name                   = "ledger"
  engine                 = "redis"
  engine_version         = "7.1"
  node_type              = "db.r7g.large"
  parameter_group_family = "memorydb_redis7"
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
}

module "events" {
  source  = "terraform-aws-modules/elasticache/aws"
  version = "~> 1.6"

  replication_group_id   = "events"
  engine                 = "redis"
  engine_version         = "7.1"
  node_type              = "cache.r7g.large"
  create_parameter_group = true
  parameter_group_family = "redis7"
  parameters = [
    {
      name  = "lazyfree-lazy-expire"
      value = "yes"
    },
    {
      name  = "notify-keyspace-events"
      value = "Ex"
    },
  ]
}
