@tickets
Feature: Open a support ticket
  An employee asks IT for help and follows the ticket in the queue.

  Background:
    Given I am logged in as "employee"

  @critical
  Scenario: Open a ticket and find it in the queue
    When I open "tickets"
    And I click "tickets.new"
    Then the URL should contain "/tickets/new"
    When I fill "ticket.title" with "VPN drops every 10 minutes"
    And I select "High" from "ticket.priority"
    And I fill "ticket.description" with "Since Monday the VPN disconnects every 10 minutes."
    And I click "ticket.submit"
    Then "flash" should contain "created"
    And "tickets.queue" should contain "VPN drops every 10 minutes"
