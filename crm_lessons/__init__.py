"""CRM Lessons."""
