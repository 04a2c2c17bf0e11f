@approvals @critical
Feature: Approve an expense
  A manager works through the expenses waiting for approval.

  Background:
    Given I am logged in as "manager"

  Scenario: Manager approves the oldest pending expense
    When I open "approvals"
    Then the page title should contain "Approvals"
    And "approvals.table" should be visible
    When I click "approvals.approve"
    Then I should see "Expense approved"
    And the URL should contain "/approvals"
