Feature: Containers run unprivileged, read-only and within limits
  Each container runs as a non-root user (the proxy is the one documented exception),
  on a read-only root filesystem with mounts on exactly the paths its image writes,
  with every capability dropped, no way to gain privileges, no host namespaces, and
  ceilings on CPU, memory and processes.

  Background:
    Given the shipped stack

  Scenario: The shipped stack meets the runtime policies
    When the policies are checked
    Then policies "P3, P4, P7, C1, C2, C3, C4, C5, C6, C7, C8" find nothing
    And policy "P3" allows an exception for service "docker-socket-proxy"

  Scenario Outline: A container that gains power or loses a limit is rejected
    When in service "<component>" the value "<path>" becomes `<value>`
    And the policies are checked
    Then only policy "<policy>" fires, on service "<component>"

    Examples:
      | policy | component           | path                          | value                                         |
      | P3     | wakapi              | user                          | "0:0"                                         |
      | P3     | homepage            | user                          | "root"                                        |
      | P4     | wakapi              | read_only                     | false                                         |
      | P4     | docker-socket-proxy | tmpfs                         | ["/tmp:size=16m"]                             |
      | P7     | wakapi              | deploy/resources/limits/memory | null                                         |
      | P7     | homepage            | deploy/resources/limits/cpus  | null                                          |
      | C1     | wakapi              | privileged                    | true                                          |
      | C1     | wakapi              | cap_add                       | ["NET_ADMIN"]                                 |
      | C2     | wakapi              | cap_drop                      | []                                            |
      | C3     | wakapi              | security_opt                  | []                                            |
      | C4     | wakapi              | pid                           | host                                          |
      | C4     | homepage            | ipc                           | host                                          |
      | C5     | wakapi              | volumes/1                     | "/etc:/host-etc:ro"                           |
      | C6     | wakapi              | security_opt/1                | "seccomp:unconfined"                          |
      | C7     | wakapi              | deploy/resources/limits/pids  | null                                          |
      | C8     | wakapi              | restart                       | always                                        |

  Scenario: Reservations are not limits
    When in service "wakapi" the value "deploy/resources" becomes `{reservations: {cpus: "0.1", memory: 32M}}`
    And the policies are checked
    Then policy "P7" fires on service "wakapi"
