"""The central ERP server: store, services, sync API and back-office views."""
