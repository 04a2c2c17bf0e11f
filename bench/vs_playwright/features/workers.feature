Feature: A one-second journey
  The journey of the workers part of bench/vs_playwright.py: about 1 s a replay, half of it
  the browser's work (fills, a select, checks, clicks, a page load) and half waiting for a
  server that answers two pages after 250 ms (as an app's back end would).

  Scenario: Sign up in a hurry
    Given I open "/form.html?delay=250"
    When I fill "profile.first_name" with "Ada"
    And I fill "profile.last_name" with "Lovelace"
    And I fill "profile.email" with "ada@example.org"
    And I select "United Kingdom" from "profile.country"
    And I check "profile.contact_email"
    And I click "Preferences"
    And I check "prefs.terms"
    And I click "Next"
    Then I should see "Delivery details"
    When I open "/review.html?delay=250"
    And I click "review.confirm"
    Then "review.status" should contain "Order confirmed"
