Feature: Only the loopback address reaches the stack, and only the proxy reaches the Docker socket
  The stack is a localhost-only demonstration. Its ports are published on a loopback
  address, the Docker socket is read through a proxy that refuses writes, the proxy
  sits on an internal network shared with the dashboard alone, and the published
  services have no route out.

  Background:
    Given the shipped stack

  Scenario: The shipped stack meets the exposure policies
    When the policies are checked
    Then policies "P1, P9, P10, S2" find nothing

  Scenario Outline: A change that opens the stack up is rejected by its policy
    When in service "<component>" the value "<path>" becomes `<value>`
    And the policies are checked
    Then only policy "<policy>" fires, on service "<component>"

    Examples:
      | policy | component           | path                  | value                                           |
      | P1     | wakapi              | ports/0/host_ip       | 0.0.0.0                                         |
      | P1     | wakapi              | ports/0/host_ip       | "::"                                            |
      | P9     | docker-socket-proxy | environment/POST      | "1"                                             |
      | P9     | docker-socket-proxy | environment/EXEC      | "1"                                             |
      | P9     | docker-socket-proxy | volumes/0/read_only   | false                                           |
      | P9     | docker-socket-proxy | ports                 | ["127.0.0.1:2375:2375"]                         |
      | P9     | homepage            | volumes/1             | "/var/run/docker.sock:/var/run/docker.sock:ro"  |
      | P10    | wakapi              | networks/TSYSDevStack-SupportStack-Demo-Network-SocketProxy | null |

  Scenario: A proxy network that is not internal is rejected
    When in the project the value "networks/TSYSDevStack-SupportStack-Demo-Network-SocketProxy/internal" becomes `false`
    And the policies are checked
    Then policy "P10" fires on service "docker-socket-proxy"
    # The same network would also give homepage a route out.
    And policy "S2" fires on service "homepage"

  Scenario: A published service with a route out is rejected
    When in the project the value "networks/TSYSDevStack-SupportStack-Demo-Network-Frontend/driver_opts" is removed
    And the policies are checked
    Then only policy "S2" fires, on services "homepage, wakapi"
