"""Specs: app profiles (journeys/<app>/app.yaml) and Gherkin features, validated with file:line errors."""
