from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .services import user_signup


class SignupApi(APIView):
    """Self sign-up: a company user with no company yet (api.md: Accounts)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class SignupInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True, style={"input_type": "password"})

    class SignupOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField()
        role = serializers.CharField()

    @extend_schema(request=SignupInputSerializer, responses={201: SignupOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.SignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_signup(**data.validated_data)
        return Response(self.SignupOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    """Exchange a username and password for the token to send as ``Authorization: Token``."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class TokenInputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(write_only=True, style={"input_type": "password"})

    @extend_schema(
        request=TokenInputSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        data = self.TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, **data.validated_data)
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with these credentials."]}
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
