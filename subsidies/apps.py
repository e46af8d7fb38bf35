from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = "Subsidy schemes and billing"

    def ready(self) -> None:
        # Billing's part in a lease's life: tenants calls it and never imports subsidies.
        from tenants import lifecycle

        from .lease_events import Billing

        lifecycle.listen(Billing())
        # The price estimator of a park's page: billing's rules, asked by parks.
        from parks import pricing

        from .estimates import SubsidisedPrices

        pricing.provide(SubsidisedPrices())
        # A company's money on its user's account page: accounts never imports billing.
        from accounts import panels

        from .account_panel import company_money

        panels.provide(company_money)
