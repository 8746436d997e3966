"""Weekly series of sessions (issue 19, items 2 and 3): a plan typed by the coach
(`plan`), its expansion into `training_sessions` and changes to it (`series`), the families'
RSVPs before each occurrence (`rsvp`) and the coach's attendance (`attendance`)."""
