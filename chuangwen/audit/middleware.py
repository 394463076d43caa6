from chuangwen.lib.net import client_ip

from . import context


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.bind(ip=client_ip(request), request_id=request.headers.get("X-Request-ID"))
        request.request_id = context.current().request_id
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
