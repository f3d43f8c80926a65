variable "environment" {
  type    = string
  default = "staging"
}

variable "engine" {
  description = "Cache engine"
  type        = string
  default     = "redis"
}

variable "engine_version" {
  type = string
}

variable "node_types" {
  type = map(string)
  default = {
    staging    = "cache.t4g.medium"
    production = "cache.r7g.xlarge"
  }
}

variable "vpc_id" {
  type = string
}
