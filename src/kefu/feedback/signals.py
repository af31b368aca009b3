"""What other apps may listen to. Sent inside the service's transaction, after the write.

`notice` is the seam to kefu.notifications (built in parallel): connect a receiver that delivers
`text` to `users` (in-app, mail, WeCom…). Until one is connected, the notice is recorded on the
ticket's timeline (when there is a ticket) and in the log, nothing more."""

from django.dispatch import Signal

notice = Signal()  # users, text, ticket (or None), data
survey_answered = Signal()  # survey, low
