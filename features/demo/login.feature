@smoke @login
Feature: Sign in to Spendly
  Employees and managers sign in with their company account
  and land on their dashboard.

  Background:
    Given I open "login"

  Scenario Outline: Sign in and land on the dashboard
    When I log in as "<user>"
    Then the URL should contain "/home"
    And "home.role" should contain "<role>"
    And "nav.approvals" should be <approvals>

    Examples:
      | user     | role     | approvals |
      | employee | Employee | hidden    |
      | manager  | Manager  | visible   |

  Scenario: A wrong password shows an error
    When I log in as "employee" with password "not-the-password"
    Then "login.error" should be visible
    And I should see "Invalid username or password"
    And the URL should contain "/login"
    And the page title should contain "Sign in"
