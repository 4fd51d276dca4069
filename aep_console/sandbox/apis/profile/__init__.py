"""apis.profile"""
