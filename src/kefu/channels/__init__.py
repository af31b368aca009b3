"""Reaching customers where they are: the one outbound pipeline (SMS, e-mail, WeChat) with its
delivery log, the provider backends, and inbound e-mail."""
