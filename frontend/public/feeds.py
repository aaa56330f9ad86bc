from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from requests_app.statuses import Status

from . import selectors


class _RequestFeed(Feed):
    # No location or address in a feed item: its link leads to the public page, which applies the rules.
    def item_title(self, item):
        return f"{item.service_type.localized_name()} · {Status(item.status).label} · {item.public_id}"

    def item_description(self, item):
        return item.public_description

    def item_link(self, item):
        return f"/requests/{item.public_id}/"

    def item_guid(self, item):
        return item.public_id

    def item_pubdate(self, item):
        return item.submitted_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.service_type.code]


class AreaFeed(_RequestFeed):
    def get_object(self, request, slug, area_id):
        jurisdiction = selectors.public_jurisdiction(slug)
        return jurisdiction, selectors.feed_area(jurisdiction, area_id)

    def title(self, obj):
        return _("Requests in %(area)s, %(city)s") % {"area": obj[1].localized_name(), "city": obj[0].localized_name()}

    def link(self, obj):
        return f"/map/{obj[0].slug}/?area={obj[1].pk}"

    def description(self, obj):
        return _("The latest public requests in this area.")

    def items(self, obj):
        return selectors.feed_items(obj[0], area=obj[1])


class AreaAtomFeed(AreaFeed):
    feed_type = Atom1Feed
    subtitle = AreaFeed.description


class ServiceTypeFeed(_RequestFeed):
    def get_object(self, request, slug, code):
        jurisdiction = selectors.public_jurisdiction(slug)
        return jurisdiction, selectors.feed_service_type(jurisdiction, code)

    def title(self, obj):
        return _("%(type)s requests, %(city)s") % {"type": obj[1].localized_name(), "city": obj[0].localized_name()}

    def link(self, obj):
        return f"/map/{obj[0].slug}/?service_type={obj[1].code}"

    def description(self, obj):
        return _("The latest public requests of this service type.")

    def items(self, obj):
        return selectors.feed_items(obj[0], service_type=obj[1])


class ServiceTypeAtomFeed(ServiceTypeFeed):
    feed_type = Atom1Feed
    subtitle = ServiceTypeFeed.description
