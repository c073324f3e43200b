Feature: One settings file holds every value, read as data
  Every value of the stack lives in TSYSDevStack-SupportStack-Demo-Settings. The crate
  and the control script read it the same way: KEY=value, the value taken literally,
  so nothing in it is ever run or unquoted. Changing a setting changes the stack, and
  the policies judge the result.

  Scenario: Every variable of the Compose files is a key of the settings file
    Given the shipped stack
    Then every variable of the Compose files is a key of the settings file

  Scenario: A value a shell would run or unquote stays text
    Given the shipped settings with the overrides file "tests/fixtures/literal-values.overrides"
    Then the setting TSYS_PROXY_LABEL_DESCRIPTION is the text `$(touch /tmp/tsysdevstack-must-not-exist) and `date``
    And the setting TSYS_HOMEPAGE_LABEL_DESCRIPTION is the text `"double" 'single' # not a comment`

  Scenario: Binding to every interface through the settings is rejected
    Given the shipped stack with the setting TSYS_BIND_ADDRESS set to "0.0.0.0"
    When the policies are checked
    Then policy "P1" fires on service "wakapi"
    And policy "P1" fires on service "homepage"

  Scenario: A floating image tag in the settings is rejected
    Given the shipped stack with the setting TSYS_HOMEPAGE_IMAGE set to "ghcr.io/gethomepage/homepage:latest"
    When the policies are checked
    Then only policy "P2" fires, on service "homepage"

  Scenario: A memory limit in the settings reaches the container
    Given the shipped stack with the setting TSYS_WAKAPI_MEMORY set to "300M"
    Then service "wakapi" is limited to 314572800 bytes of memory
