@expenses
Feature: Submit an expense
  An employee claims back money spent for work: fills the form,
  attaches the receipt and sends it to their manager.

  Background:
    Given I am logged in as "employee"

  @critical
  Scenario: Submit an expense with a receipt
    When I open "expenses"
    And I click "expenses.new"
    Then the URL should contain "/expenses/new"
    When I fill in:
      | field               | value                  |
      | expense.description | Client dinner in Milan |
      | expense.amount      | 84.50                  |
      | expense.date        | 2024-05-14             |
    And I select "Meals" from "expense.category"
    And I upload "files/receipt.png" to "expense.receipt"
    And I check "expense.confirm"
    And I click "expense.submit"
    Then I should see "Expense submitted for approval"
    And "expense.status" should contain "Pending"
    And "expense.receipt_info" should contain "receipt.png"

  Scenario: An expense over 25 without a receipt is refused
    When I open "new expense"
    And I fill "expense.description" with "Conference ticket"
    And I fill "expense.amount" with "120"
    And I check "expense.confirm"
    And I click "expense.submit"
    Then "expense.errors" should be visible
    And "expense.errors" should contain "A receipt is required for amounts over 25.00"
    And the URL should contain "/expenses/new"
