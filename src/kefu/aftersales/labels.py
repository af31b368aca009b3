"""Words for the 三包 case and decision in the user's language (English msgids, zh-hans
translations in locale/). The engine's own reasons and scripts are Chinese and stay so."""

from django.utils.translation import gettext_lazy as _

CATEGORY_LABELS = {
    "refrigerator": _("Refrigerator"),
    "washing_machine": _("Washing machine"),
    "air_conditioner": _("Air conditioner"),
    "tv": _("TV"),
    "mobile_phone": _("Mobile phone"),
    "computer": _("Computer"),
    "other": _("Other goods"),
}
CHANNEL_LABELS = {"store": _("In store"), "online": _("Online"), "phone": _("By phone")}
FAULT_LABELS = {
    "performance": _("Performance fault"),
    "cosmetic": _("Cosmetic defect"),
    "transport_cosmetic": _("Cosmetic damage on opening the box"),
    "none": _("No fault (works, passes inspection)"),
    "misuse": _("Misuse, poor upkeep or storage"),
    "unauthorised_repair": _("Opened by an unauthorised repairer"),
    "force_majeure": _("Force majeure"),
}
WISH_LABELS = {
    "return": _("Return"),
    "exchange": _("Exchange"),
    "repair": _("Repair"),
    "none": _("Not said"),
}
REASON_LABELS = {
    "": _("None given"),
    "price_drop": _("The price dropped"),
    "changed_mind": _("Changed their mind"),
    "fear_of_repair": _("Fears repair shortens the product's life"),
    "other_channel": _("Wants an exchange through other channels"),
}
PART_LABELS = {
    "": _("Whole unit"),
    "main_part": _("A main part"),
    "battery": _("Battery"),
    "charger": _("Charger"),
    "wired_headset": _("Wired headset"),
    "terminal_card": _("Terminal card"),
    "data_card": _("Data card"),
}
REMEDY_LABELS = {
    "return": _("Return"),
    "exchange": _("Exchange"),
    "repair": _("Free repair"),
    "paid_repair": _("Paid repair"),
    "compensation": _("Compensation"),
    "trade_in": _("Depreciated trade-in"),
    "refer_to_seller": _("Refer to the selling store"),
}
FIELD_LABELS = {
    "category": _("Category"),
    "price": _("Invoice price (yuan)"),
    "sale_date": _("Sale (invoice) date"),
    "request_date": _("Date the customer asks"),
    "has_invoice": _("Has a valid invoice"),
    "has_warranty_card": _("Has the warranty card"),
    "production_date": _("Production date"),
    "channel": _("Sales channel"),
    "receipt_date": _("Goods signed for on"),
    "fault": _("Fault"),
    "part": _("Faulty part"),
    "failed_repairs": _("Repairs of this fault that did not fix it"),
    "repair_days": _("Days in repair"),
    "parts_wait_days": _("Days waiting for parts"),
    "same_model_available": _("Same model in stock"),
    "wish": _("Customer wants"),
    "sample_unit_disclosed_defect": _("Complaint is the sample unit's disclosed defect"),
    "goods_intact": _("Goods intact"),
    "discontinued_date": _("Model discontinued on"),
    "parts_available": _("Spare parts available"),
    "above_guide_price": _("Paid above the guide price"),
    "authorised_dealer": _("Bought from an authorised dealer"),
    "reason": _("Reason given"),
    "customer_honorific": _("Customer's name (e.g. 张先生)"),
    "repairer_delay_days": _("Days the repairer is late"),
}
