"""Every write to slips, complaints and their notifications goes through here:
slips.py (message slips), complaints.py (complaints), and escalation.py (the
periodic escalation of both). Views, the admin, tasks and commands all call
these functions; nothing saves a slip or a complaint directly."""
