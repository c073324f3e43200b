Feature: Real-world Compose files get the verdict their header states
  The files in ../shared/cases/ are small stacks rewritten from public setups. Each
  header names the policies (P1 to P12) that must fire and where; the good-NN files
  are compliant in unusual syntax and must draw no finding. They use the prefix "lab-".

  Scenario Outline: <file> gets its stated verdict
    Given the case file "<file>" with prefix "lab-"
    When policies "P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12" are checked
    Then the findings are "<verdict>"

    Examples:
      | file        | verdict                                                                                        |
      | case-01.yml | P1 lab-homepage ports[0]; P1 lab-wakapi ports[0]                                               |
      | case-02.yml | P2 lab-socket-proxy image; P2 lab-homepage image                                               |
      | case-03.yml | P3 lab-homepage user; P9 lab-homepage volumes[1]; P9 lab-homepage configs.lab-homepage-docker  |
      | case-05.yml | P5 lab-wakapi homepage.grup; P5 lab-wakapi homepage.group; P5 lab-wakapi homepage.name; P5 lab-wakapi homepage.href; P5 lab-wakapi homepage.widget |
      | case-07.yml | P7 lab-homepage limits; P7 lab-wakapi limits                                                   |
      | case-09.yml | P9 lab-socket-proxy POST; P9 lab-socket-proxy EXEC; P9 lab-socket-proxy volumes[0]; P9 lab-socket-proxy ports[0] |
      | case-11.yml | P11 dockerproxy services.dockerproxy; P11 dockerproxy container_name; P5 lab-homepage configs.lab-homepage-docker; P5 lab-wakapi homepage.server |
      | good-01.yml | none                                                                                           |
      | good-03.yml | none                                                                                           |
      | good-05.yml | none                                                                                           |

  Scenario: The socket proxy's root user is an allowed, stated exception
    Given the case file "good-01.yml" with prefix "lab-"
    When policies "P3" are checked
    Then policy "P3" allows an exception for service "lab-socket-proxy"
