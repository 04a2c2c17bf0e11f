@expenses
Feature: Export my expenses
  An employee downloads their expenses as a CSV file for their own bookkeeping.

  Background:
    Given I am logged in as "employee"

  Scenario: Export my expenses
    When I open "expenses"
    And I click "expenses.export"
    Then I should see "Your export is ready"
