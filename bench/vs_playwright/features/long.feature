Feature: A long step
  Steps 2 and 5 wait ~2 s for the server (arrived.html?delay=2000); steps 1 and 4 are their
  short twins (the same kind of step on a page served at once). Does the harness's bookkeeping
  (its watchdog, its records) add more to a long step than to a short one?

  Scenario: Wait for a slow page
    Given I open "/long.html"
    When I click "long.slow_link"
    Then "long.arrived" should contain "answered this page late"
    When I click "long.back_link"
    And I open "/arrived.html?delay=2000"
    Then I should see "You waited for this page"
