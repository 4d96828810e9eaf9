"""The demo desk's slips and complaints: `manage.py seed_demo_messages`."""
