"""Running shifu beyond one machine: back-end services and cluster examples."""
