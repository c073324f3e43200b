@live @serial
Feature: The running stack is what its Compose files promise
  After the control script's start, the containers are read through the Docker API
  and probed from inside homepage's network. These scenarios need a Docker engine;
  without one they are reported as skipped with the reason.

  Background:
    Given the stack is running

  Scenario: start leaves every component healthy
    Then every container of the stack is healthy

  Scenario: Only loopback addresses listen
    Then every host port of the stack is bound to a loopback address
    And every listening socket that start opened on the host is on a loopback address

  Scenario: Containers run as their Compose files say
    Then every container runs as the user its Compose file names
    And no container runs as root except "docker-socket-proxy"
    And every container has a read-only root filesystem
    And every container drops all capabilities and cannot gain privileges
    And every container has the CPU, memory and process limits of its Compose file
    And every container carries the homepage labels of its Compose file

  Scenario: The proxy's network holds the proxy and homepage alone
    Then the proxy is attached only to the internal network
    And only the proxy and homepage are attached to the proxy's network
    And the published services' network has no outbound NAT

  Scenario: The proxy lets homepage read containers and refuses writes
    When homepage asks the proxy for "/containers/json?all=true"
    Then the answer lists the stack's containers with their homepage labels
    When homepage sends "POST" to the proxy's "/containers/create"
    Then the proxy refuses with 403

  Scenario: The proxy refuses API sections it was not opened for
    When homepage asks the proxy for "/images/json"
    Then the proxy refuses with 403

  Scenario: The dashboard and wakapi answer on the loopback address
    Then "homepage" answers "/api/healthcheck" on its published port with "up"
    And "wakapi" answers "/api/health" on its published port with "app=1"

  @upstream
  Scenario: homepage lists the services it discovered through the proxy
    Then homepage's "/api/services" lists "Wakapi" and "Docker socket proxy" in group "SupportStack"

  Scenario: The live checks agree with the static checks
    Then the live checks agree with the static checks on every container

  Scenario: The live checks catch a container started without the hardening
    When a throwaway container runs without the stack's hardening
    Then the live checks flag it with "P3, P4, P7, C2, C3, C7, C8"
