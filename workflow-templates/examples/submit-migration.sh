#!/bin/sh
# Submits one migration of the app "shop" in namespace "shop" and follows it.
# The database password is read by the steps from the Secret shop-db (key: password).
# Every parameter left out is empty, so the app's Pitstop config file (if -p config=... is given)
# or the CLI's default applies; app and jdbc-url must be given (jdbc-url= hands it to the file).
set -eu
argo submit -n shop --from workflowtemplate/pitstop-migration \
  -p app=shop \
  -p jdbc-url=jdbc:postgresql://shop-db:5432/shop \
  -p db-user=shop \
  -p db-password-secret=shop-db \
  -p maintenance-mode=configmap \
  -p maintenance-configmap=shop-flags \
  -p maintenance-key=maintenance \
  -p workloads='deployment/web
deployment/worker' \
  -p migrations-image=registry.example.com/shop-migrations:2.4.0 \
  -p migrations-path=/migrations \
  -p new-images='web=registry.example.com/shop:2.4.0
worker=registry.example.com/shop:2.4.0' \
  -p smoke-urls=http://web.shop.svc:8080/health \
  -p snapshot=true \
  --watch
