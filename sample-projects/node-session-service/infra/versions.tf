terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }

  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "session-service/elasticache.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = var.region
}
