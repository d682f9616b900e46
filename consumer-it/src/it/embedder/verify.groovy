// Runs after the consumer build: what a consumer's log must not show.
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run:') : 'the consumer ran no tests'
assert !log.contains('No SLF4J providers') : 'SLF4J found no provider'
assert !(log =~ /SLF4J\((W|E)\)/) : 'SLF4J printed a warning or error'
assert !log.contains('ERROR com.bertramlabs') : "hcl4j's ERROR lines reached the consumer's log"
assert !log.contains('HCLParserException') : "hcl4j's stack trace reached the consumer's log"
assert !(log =~ /(WARN|ERROR) dev\.capstan/) : 'Capstan logged a warning or error while running the snippets'
return true
