Feature: Names carry the prefix and every value comes from the settings file
  Every Docker artifact is named with the stack's prefix, so uninstall can find it.
  Images, ports, addresses, limits, timings and label values are written as
  ${TSYS_...} and set in the one settings file; secrets are never written in.
  Data lives on named volumes, logs rotate and every tmpfs has a size.

  Background:
    Given the shipped stack

  Scenario: The shipped stack meets the naming and settings policies
    When the policies are checked
    Then policies "P11, P12, S3, S4, S5, H1, H2" find nothing

  Scenario Outline: A name without the prefix or a duplicate is rejected
    When in service "<component>" the value "<path>" becomes `<value>`
    And the policies are checked
    Then only policy "<policy>" fires, on service "<component>"

    Examples:
      | policy | component | path           | value                                   |
      | P11    | wakapi    | container_name | wakapi                                  |
      | H1     | wakapi    | container_name | TSYSDevStack-SupportStack-Demo-homepage |
      | S4     | wakapi    | volumes/1      | "/srv/wakapi:/backup"                   |
      | S4     | wakapi    | volumes/1      | "/cache"                                |
      | S5     | wakapi    | logging        | null                                    |
      | S5     | wakapi    | tmpfs          | ["/tmp"]                                |

  Scenario Outline: A value written into a Compose file is rejected
    When in service "<component>" the text "<path>" is written as `<value>`
    And the policies are checked
    Then only policy "<policy>" fires, on service "<component>"

    Examples:
      | policy | component | path                              | value                       |
      | S3     | wakapi    | image                             | ghcr.io/muety/wakapi:2.17.6 |
      | S3     | wakapi    | healthcheck/interval              | 10s                         |
      | S3     | homepage  | labels/homepage.name              | Homepage                    |
      | P12    | wakapi    | environment/WAKAPI_PASSWORD_SALT  | hunter2hunter2hunter2       |
      | P12    | wakapi    | labels/homepage.siteMonitor       | "http://wakapi:3000/api/health?api_key=${WAKAPI_API_KEY}" |

  Scenario: A missing secret is rejected
    When in service "wakapi" the text "environment/WAKAPI_PASSWORD_SALT" is removed
    And the policies are checked
    Then only policy "P12" fires, on service "wakapi"

  Scenario: A project without a name is rejected
    When in the project the value "name" is removed
    And the policies are checked
    Then only policy "H2" fires, on the project
