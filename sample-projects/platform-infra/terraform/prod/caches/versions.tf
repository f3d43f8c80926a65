terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }

  backend "s3" {
    bucket         = "acme-platform-tfstate"
    key            = "prod/caches.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "acme-platform-tflock"
  }
}

provider "aws" {
  region = "eu-west-1"
}
