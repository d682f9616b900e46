scaling "web" {
  min = 1
  max = 5
  policy {
    cooldown = "1m"
    check "fixed" {
      strategy "fixed-value" { value = 3 }
    }
    target "in-memory" {}
  }
}
