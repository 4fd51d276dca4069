"""apis.flow_service"""
