"""The single NinjaAPI at /api/v1/; each app adds its router here. Guide: docs/api.md."""

from ninja import NinjaAPI

from kehu.analytics.api import router as analytics_router
from kehu.approvals.api import router as approvals_router
from kehu.core.api import SessionAuth, install_error_handlers
from kehu.customers.api import router as customers_router
from kehu.followups.api import router as followups_router
from kehu.leads.api import router as leads_router
from kehu.leads.import_api import router as lead_imports_router
from kehu.notifications.api import router as notifications_router
from kehu.org.api import ApiTokenAuth
from kehu.org.api import router as org_router
from kehu.pool.api import router as pool_router
from kehu.pool.handover_api import router as handover_router
from kehu.sales.contracts.api import router as contracts_router
from kehu.sales.opportunities.api import router as opportunities_router
from kehu.sales.orders.api import router as orders_router
from kehu.sales.payments.api import router as payments_router
from kehu.sales.products.api import router as products_router
from kehu.sales.quotes.api import router as quotes_router
from kehu.sales.statistics.api import router as statistics_router
from kehu.targets.api import router as targets_router
from kehu.workbench.api import router as workbench_router

api = NinjaAPI(
    title="Kehu CRM API",
    version="1",
    description=(
        "Customers, contacts, follow-ups and their plans, the workbench, leads and their assignment rules, "
        "the shared customer pools (release, claim, assign, rules with a dry-run preview), handovers, "
        "pipelines and opportunities, products and price lists, quotes, contracts, payment collection, "
        "sales orders, purchase statistics, the sales funnel, approvals, notifications, users and API "
        "tokens. "
        "Authenticate with `Authorization: Bearer <token>` "
        "(create one at POST /api/v1/tokens) or a login session with the X-CSRFToken header. "
        "Guide: docs/api.md."
    ),
    urls_namespace="api",
    auth=[ApiTokenAuth(), SessionAuth()],
)
install_error_handlers(api)
api.add_router("/", customers_router)
api.add_router("/", lead_imports_router)
api.add_router("/", leads_router)
api.add_router("/", org_router)
api.add_router("/", notifications_router)
api.add_router("/", followups_router)
api.add_router("/", pool_router)
api.add_router("/", handover_router)
api.add_router("/", workbench_router)
api.add_router("/", opportunities_router)
api.add_router("/", products_router)
api.add_router("/", quotes_router)
api.add_router("/", contracts_router)
api.add_router("/", payments_router)
api.add_router("/", orders_router)
api.add_router("/", statistics_router)
api.add_router("/", targets_router)
api.add_router("/", analytics_router)
api.add_router("/", approvals_router)
