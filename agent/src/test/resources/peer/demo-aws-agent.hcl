# From hashicorp/nomad-autoscaler-demos@700010327931f2e0b3e48811000d62957b2150bb cloud/aws/terraform/modules/aws-hashistack/templates/aws_autoscaler.nomad.tpl, lines 35-69 (the config.hcl template),
# rendered as Nomad's template would for a client at 10.0.0.5 in eu-west-1 with Prometheus at 10.0.0.6:9090.
nomad {
  address = "http://10.0.0.5:4646"
}

apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "http://10.0.0.6:9090"
  }
}

# Datadog example template is below. In order to use the example config section
# you will need to remove the first line "#" comments as well as the golang
# template comment markers which are "- /*" and "*/".
#
# apm "datadog" {
#   driver = "datadog"
#   config = {
# {{- /* with secret "secret/autoscaler/datadog" }}
#     dd_api_key = "{{ .Data.data.api_key }}"
#     dd_app_key = "{{ .Data.data.app_key }}"
# {{ end */ -}}
#   }
# }

target "aws-asg" {
  driver = "aws-asg"
  config = {
    aws_region = "eu-west-1"
  }
}

strategy "target-value" {
  driver = "target-value"
}
