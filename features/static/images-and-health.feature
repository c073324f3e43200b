Feature: Images are pinned, health is probed for real, and start-up waits for health
  Every image names a fixed release. Every service has a health check that fetches
  the image's real endpoint with a program the image ships, and a service that needs
  another starts only once that one is healthy.

  Background:
    Given the shipped stack

  Scenario: The shipped stack meets the image and health policies
    When the policies are checked
    Then policies "P2, P6, P8" find nothing

  Scenario Outline: A floating image, a false probe or an unhealthy wait is rejected
    When in service "<component>" the value "<path>" becomes `<value>`
    And the policies are checked
    Then only policy "<policy>" fires, on service "<component>"

    Examples:
      | policy | component           | path                  | value                                                          |
      | P2     | wakapi              | image                 | ghcr.io/muety/wakapi:latest                                    |
      | P2     | docker-socket-proxy | image                 | ghcr.io/tecnativa/docker-socket-proxy                          |
      | P6     | homepage            | healthcheck/test      | ["CMD", "curl", "-f", "http://127.0.0.1:3000/api/healthcheck"] |
      | P6     | homepage            | healthcheck/test      | ["CMD", "wget", "-q", "-O", "-", "http://127.0.0.1:3000/api/health"] |
      | P6     | docker-socket-proxy | healthcheck/test      | ["CMD", "wget", "-q", "-O", "-", "http://127.0.0.1:2375/"]     |
      | P6     | wakapi              | healthcheck/test      | ["CMD-SHELL", "wget -q -O - http://127.0.0.1:3000/api/health"] |
      | P6     | wakapi              | healthcheck/test      | ["NONE"]                                                       |
      | P8     | homepage            | depends_on/TSYSDevStack-SupportStack-Demo-docker-socket-proxy/condition | service_started |

  Scenario: A dashboard that does not wait for its proxy is rejected
    When in service "homepage" the value "depends_on" is removed
    And the policies are checked
    Then only policy "P8" fires, on service "homepage"

  Scenario: Waiting for a service that has no health check is rejected
    When in service "docker-socket-proxy" the value "healthcheck" is removed
    And the policies are checked
    Then policy "P8" fires on service "homepage"
    And policy "P6" fires on service "docker-socket-proxy"
