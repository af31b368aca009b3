"""Links in the desk's top bar. Apps append (label, url name, capability or None) from their
AppConfig.ready(); a link shows to users who have the capability (kefu.org.roles.CAPABILITIES)."""

DESK_NAV: list[tuple] = []


def links_for(user) -> list[tuple[str, str]]:
    from django.urls import NoReverseMatch, reverse

    from kefu.org.selectors import can

    links = []
    for label, url_name, capability in DESK_NAV:
        if capability and not can(user, capability):
            continue
        try:
            links.append((label, reverse(url_name)))
        except NoReverseMatch:
            continue
    return links
