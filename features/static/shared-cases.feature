Feature: Real-world Compose files get the verdict their header states
  The files in ../shared/cases/ are small stacks rewritten from public setups. Each
  header names the policies (P1 to P12) that must fire and where; the good-NN files
  are compliant in unusual syntax and must draw no finding. They use the prefix "lab-".
  A finding matches a row when policy and service are equal and its path contains "at".

  Background:
    Given the policies "P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12"

  Scenario: case-01.yml: dashboards published on every host interface
    Given the case file "case-01.yml" with prefix "lab-"
    When those policies are checked
    Then the findings are exactly:
      | policy | service | at |
      | P1 | lab-homepage | ports[0] |
      | P1 | lab-wakapi | ports[0] |

  Scenario: case-02.yml: floating image references
    Given the case file "case-02.yml" with prefix "lab-"
    When those policies are checked
    Then the findings are exactly:
      | policy | service | at |
      | P2 | lab-socket-proxy | image |
      | P2 | lab-homepage | image |

  Scenario: case-03.yml: homepage mounts the Docker socket and runs as root
    Given the case file "case-03.yml" with prefix "lab-"
    When those policies are checked
    Then the findings are exactly:
      | policy | service | at |
      | P3 | lab-homepage | user |
      | P9 | lab-homepage | volumes[1] |
      | P9 | lab-homepage | configs.lab-homepage-docker |

  Scenario: case-05.yml: broken homepage labels on wakapi
    Given the case file "case-05.yml" with prefix "lab-"
    When those policies are checked
    Then the findings are exactly:
      | policy | service | at |
      | P5 | lab-wakapi | homepage.grup |
      | P5 | lab-wakapi | homepage.group |
      | P5 | lab-wakapi | homepage.name |
      | P5 | lab-wakapi | homepage.href |
      | P5 | lab-wakapi | homepage.widget |

  Scenario: case-07.yml: no resource limits, reservations mistaken for limits
    Given the case file "case-07.yml" with prefix "lab-"
    When those policies are checked
    Then the findings are exactly:
      | policy | service | at |
      | P7 | lab-homepage | limits |
      | P7 | lab-wakapi | limits |

  Scenario: case-09.yml: the socket proxy opened up
    Given the case file "case-09.yml" with prefix "lab-"
    When those policies are checked
    Then the findings are exactly:
      | policy | service | at |
      | P9 | lab-socket-proxy | POST |
      | P9 | lab-socket-proxy | EXEC |
      | P9 | lab-socket-proxy | volumes[0] |
      | P9 | lab-socket-proxy | ports[0] |

  Scenario: case-11.yml: names pasted from the docs and broken discovery wiring
    Given the case file "case-11.yml" with prefix "lab-"
    When those policies are checked
    Then the findings are exactly:
      | policy | service | at |
      | P11 | dockerproxy | services.dockerproxy |
      | P11 | dockerproxy | container_name |
      | P5 | lab-homepage | configs.lab-homepage-docker |
      | P5 | lab-wakapi | homepage.server |

  Scenario: good-01.yml: loopback-only publishing written five ways
    Given the case file "good-01.yml" with prefix "lab-"
    When those policies are checked
    Then nothing is found

  Scenario: good-03.yml: resource limits in every accepted spelling
    Given the case file "good-03.yml" with prefix "lab-"
    When those policies are checked
    Then nothing is found

  Scenario: good-05.yml: hardening through anchors and merge keys
    Given the case file "good-05.yml" with prefix "lab-"
    When those policies are checked
    Then nothing is found

  Scenario: The socket proxy's root user is an allowed, stated exception
    Given the case file "good-01.yml" with prefix "lab-"
    When those policies are checked
    Then policy "P3" allows an exception for service "lab-socket-proxy"
