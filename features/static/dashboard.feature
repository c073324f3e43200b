Feature: homepage finds every service through the proxy
  Every service carries homepage's labels in the grammar homepage reads; homepage's
  docker.yaml names the stack's socket proxy; and homepage accepts API calls on the
  address it is published on.

  Background:
    Given the shipped stack

  Scenario: The shipped stack meets the dashboard policies
    When the policies are checked
    Then policies "P5, S1" find nothing
    And every service has the labels "homepage.group, homepage.name, homepage.icon, homepage.description, homepage.weight"

  Scenario Outline: A label homepage cannot read is rejected
    When in service "<component>" the value "<path>" becomes `<value>`
    And the policies are checked
    Then only policy "P5" fires, on service "<component>"

    Examples:
      | component | path                       | value                      |
      | wakapi    | labels/homepage.name       | null                       |
      | wakapi    | labels/homepage.group      | ""                         |
      | wakapi    | labels/homepage.grup       | Dev                        |
      | wakapi    | labels/homepage.weight     | heavy                      |
      | wakapi    | labels/homepage.showStats  | "yes"                      |
      | wakapi    | labels/homepage.href       | http://0.0.0.0:3001        |
      | wakapi    | labels/homepage.widget.url | http://wakapi:3000         |
      | wakapi    | labels/homepage.widget[0].type | customapi              |
      | wakapi    | labels/homepage.server     | my-docker                  |
      | wakapi    | labels/homepage.widgets[0].fields | not-json            |

  Scenario: A published address homepage does not accept is rejected
    When in service "homepage" the value "ports/0/published" becomes `"8080"`
    And the policies are checked
    Then only policy "S1" fires, on service "homepage"

  Scenario: Turning homepage's host check off is rejected
    When in service "homepage" the value "environment/HOMEPAGE_ALLOWED_HOSTS" becomes `"*"`
    And the policies are checked
    Then only policy "S1" fires, on service "homepage"

  Scenario: docker.yaml must name the proxy
    When in service "homepage" the value "environment/HOMEPAGE_VAR_DOCKER_HOST" becomes `127.0.0.1`
    And the policies are checked
    Then only policy "P5" fires, on service "homepage"
