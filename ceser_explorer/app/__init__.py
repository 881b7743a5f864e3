"""The Streamlit explorer (interface in French): pages and the helpers they share."""
