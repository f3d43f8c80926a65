terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      # Exact pin, bumped by Renovate pull requests.
      version = "5.64.0"
    }
  }
}

provider "aws" {
  region = "eu-central-1"

  default_tags {
    tags = {
      service = "inventory-reservations"
      team    = "fulfilment"
    }
  }
}
