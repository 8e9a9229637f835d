-- one database per service (the services never read each other's)
CREATE DATABASE capreg_identity;
CREATE DATABASE capreg_registry;
CREATE DATABASE capreg_transfers;
CREATE DATABASE capreg_auction;
CREATE DATABASE capreg_financial;
